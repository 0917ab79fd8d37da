"""The pages people use: the staff console, the citizen portal and staff sign-in. Thin views over
the services and selectors of the apps below; nothing below imports them."""
