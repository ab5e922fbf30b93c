function notFound(req, res) {
  res.status(404).json({ error: `no route for ${req.method} ${req.path}` });
}

// Express recognises error handlers by their four arguments.
// eslint-disable-next-line no-unused-vars
function errorHandler(err, req, res, next) {
  const status = err.status || 500;
  if (status >= 500) {
    console.error(err);
  }
  res.status(status).json({ error: err.expose ? err.message : "internal error" });
}

module.exports = { notFound, errorHandler };
