"""The data subject's rights over everything held on them: access and portability (the export),
erasure, and the log of who else has used their data. This app sits above every app that holds
a person's rows, so it may read and change all of them; none of them imports it."""
