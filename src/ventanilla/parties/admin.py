"""No model of this app is in the admin, on purpose.

Parties, their identifiers (DNI/NIE), contact points, profile facts, representations, profile
changes and portal sign-in links are personal data. They are read and changed through the console
and the API, whose selectors scope every read to the actor's agencies and purpose and audit it,
and whose services validate every change; erasure is `ventanilla gdpr erase`. An admin list would
be a person search without scope, purpose or disclosure log, so there is none.
"""
