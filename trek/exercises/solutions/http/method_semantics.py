# Safe: the client asks for nothing to change (RFC 9110, section 9.2.1).
safe_methods = {"GET", "HEAD", "OPTIONS"}
# Idempotent: sending it twice has the same intended effect as once (section 9.2.2).
# Every safe method is idempotent; PUT and DELETE are too. POST and PATCH are not.
idempotent_methods = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}
