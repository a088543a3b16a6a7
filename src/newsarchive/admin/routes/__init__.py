"""The admin page's routers, one per page group; each module's `router` is included by
`admin.app.create_admin`."""
