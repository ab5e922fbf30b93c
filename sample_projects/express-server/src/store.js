const users = new Map();
const orders = new Map();
let nextUserId = 1;
let nextOrderId = 1;

function createUser({ name, email }) {
  const user = { id: nextUserId++, name, email, createdAt: new Date().toISOString() };
  users.set(user.id, user);
  return user;
}

function createOrder({ userId, items }) {
  const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0);
  const order = { id: nextOrderId++, userId, items, total, status: "pending" };
  orders.set(order.id, order);
  return order;
}

module.exports = { users, orders, createUser, createOrder };
