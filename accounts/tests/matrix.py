from common.testing import CAST, access

MATRIX = {
    # the login page redirects a logged-in user to their landing page
    "accounts:login": access(*CAST, extra={"public": True}),
    "accounts:logout": access(*CAST, method="post", data=lambda: {}, extra={"public": True}),
    "accounts:home": access(*CAST),
}
