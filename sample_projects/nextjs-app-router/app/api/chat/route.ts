import OpenAI from "openai";
import { NextResponse } from "next/server";
import { SUPPORT_SYSTEM_PROMPT } from "@/lib/prompts";

const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });

type ChatMessage = { role: "user" | "assistant"; content: string };

export async function POST(request: Request) {
  const body = (await request.json()) as { messages?: ChatMessage[] };
  const messages = body.messages ?? [];
  if (messages.length === 0) {
    return NextResponse.json({ error: "messages is required" }, { status: 400 });
  }

  const completion = await client.chat.completions.create({
    model: process.env.OPENAI_MODEL ?? "gpt-4o-mini",
    messages: [{ role: "system", content: SUPPORT_SYSTEM_PROMPT }, ...messages],
    temperature: 0.3,
  });

  const reply = completion.choices[0]?.message?.content ?? "";
  return NextResponse.json({ reply });
}
