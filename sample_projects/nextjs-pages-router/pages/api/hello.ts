import type { NextApiRequest, NextApiResponse } from "next";

type Data = { message: string; time: string };

export default function handler(req: NextApiRequest, res: NextApiResponse<Data>) {
  if (req.method !== "GET") {
    res.setHeader("Allow", "GET");
    res.status(405).end();
    return;
  }
  res.status(200).json({ message: "Hello from Bean There", time: new Date().toISOString() });
}
