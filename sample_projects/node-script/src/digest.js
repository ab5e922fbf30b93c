export function digest(feeds, limit) {
  const lines = [];
  for (const feed of feeds) {
    lines.push(`# ${feed.title}`);
    const items = [...feed.items].sort((a, b) => b.published.localeCompare(a.published));
    for (const item of items.slice(0, limit)) {
      lines.push(`- ${item.title} (${item.published.slice(0, 10)})`);
    }
  }
  return lines.join("\n");
}
