"""No model of this app is in the admin, on purpose.

A source record is a person as one agency knows them (names, identifiers, birth date): personal
data, read and linked through the matching services and commands, which record what they decide.
An admin list of them would be an unaudited person search, so there is none.
"""
