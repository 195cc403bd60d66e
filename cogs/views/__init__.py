"""discord.ui views, modals and persistent buttons."""
