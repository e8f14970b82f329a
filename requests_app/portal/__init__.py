"""The requester portal (issue 14): the public pages where a person or an agent sends a request
online, follows it with the reference and PIN, sends what is missing and downloads the result.
Separate from the admin (own URLs under /portal/, own templates under templates/portal/), thin
adapters over ``requests_app.services.portal``."""
