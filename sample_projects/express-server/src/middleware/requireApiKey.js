function requireApiKey(req, res, next) {
  const expected = process.env.API_KEY;
  if (!expected) {
    return next();
  }
  if (req.get("x-api-key") !== expected) {
    return res.status(401).json({ error: "invalid or missing API key" });
  }
  return next();
}

module.exports = requireApiKey;
