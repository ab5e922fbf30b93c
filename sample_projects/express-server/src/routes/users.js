const express = require("express");
const requireApiKey = require("../middleware/requireApiKey");
const { users, createUser } = require("../store");

const router = express.Router();

router.get("/", (req, res) => {
  res.json([...users.values()]);
});

router.get("/:id", (req, res) => {
  const user = users.get(Number(req.params.id));
  if (!user) return res.status(404).json({ error: "user not found" });
  return res.json(user);
});

router.post("/", requireApiKey, (req, res) => {
  const { name, email } = req.body || {};
  if (!name || !email) {
    return res.status(400).json({ error: "name and email are required" });
  }
  return res.status(201).json(createUser({ name, email }));
});

module.exports = router;
