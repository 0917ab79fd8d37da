"""No model of this app is in the admin, on purpose.

Interactions and their documents are a person's contact history: personal data, often in the
citizen's own words. They are recorded through the console, the channels and the API, which
validate them, and read through selectors that scope every read to the actor's agencies and audit
it; the admin would be a door without either, so it shows none of them.
"""
