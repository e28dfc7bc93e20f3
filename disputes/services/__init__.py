"""Every write to the disputes data goes through a function in this package.

Views, forms, admin actions, commands and tasks call these; none of them
changes a model directly. Functions are named `<thing>_<verb>` and take
keyword-only arguments.
"""
