"""One widget a module; the app is the only coordinator between them."""
