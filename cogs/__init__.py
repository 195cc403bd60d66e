"""Discord adapters: one cog per area, thin — parse, call a service, render."""
