from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.routes import health, summarize

app = FastAPI(title="Summarizer API", version="0.2.0")

app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:3000"],
    allow_methods=["GET", "POST"],
    allow_headers=["*"],
)

app.include_router(health.router)
app.include_router(summarize.router)


@app.get("/")
async def root() -> dict[str, str]:
    return {"service": "summarizer-api", "docs": "/docs"}
