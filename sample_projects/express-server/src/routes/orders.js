const express = require("express");
const requireApiKey = require("../middleware/requireApiKey");
const { users, orders, createOrder } = require("../store");

const router = express.Router();
const STATUSES = ["pending", "paid", "shipped", "cancelled"];

router.get("/", (req, res) => {
  const userId = req.query.userId ? Number(req.query.userId) : null;
  const list = [...orders.values()].filter((o) => userId === null || o.userId === userId);
  res.json(list);
});

router.post("/", requireApiKey, (req, res) => {
  const { userId, items } = req.body || {};
  if (!users.has(Number(userId))) {
    return res.status(400).json({ error: "unknown userId" });
  }
  if (!Array.isArray(items) || items.length === 0) {
    return res.status(400).json({ error: "items must be a non-empty array" });
  }
  return res.status(201).json(createOrder({ userId: Number(userId), items }));
});

router.patch("/:id/status", requireApiKey, (req, res) => {
  const order = orders.get(Number(req.params.id));
  if (!order) return res.status(404).json({ error: "order not found" });
  if (!STATUSES.includes(req.body?.status)) {
    return res.status(400).json({ error: `status must be one of ${STATUSES.join(", ")}` });
  }
  order.status = req.body.status;
  return res.json(order);
});

module.exports = router;
