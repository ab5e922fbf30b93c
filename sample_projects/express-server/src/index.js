const express = require("express");
const morgan = require("morgan");
const usersRouter = require("./routes/users");
const ordersRouter = require("./routes/orders");
const { errorHandler, notFound } = require("./middleware/errors");

const app = express();
const port = Number(process.env.PORT) || 4000;

app.use(express.json());
app.use(morgan("dev"));

app.get("/health", (req, res) => {
  res.json({ status: "ok", uptime: process.uptime() });
});

app.use("/users", usersRouter);
app.use("/orders", ordersRouter);

app.use(notFound);
app.use(errorHandler);

if (require.main === module) {
  app.listen(port, () => {
    console.log(`orders-service listening on http://localhost:${port}`);
  });
}

module.exports = app;
