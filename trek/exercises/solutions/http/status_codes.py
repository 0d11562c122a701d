status_codes = {
    "a new order was created": 201,
    "the order list was fetched": 200,
    "the order was deleted and there is nothing to return": 204,
    "the request body is not valid JSON": 400,
    "the user is not logged in": 401,
    "the user is logged in but may not see this order": 403,
    "no order has this id": 404,
    "the client is sending too many requests": 429,
    "the database is down so the service cannot answer for now": 503,
    "the resource moved permanently to a new URL": 301,
}
