#!/usr/bin/env node
import { readFile } from "node:fs/promises";
import { Command } from "commander";
import { digest } from "./digest.js";

const program = new Command();

program
  .name("feed-digest")
  .argument("<files...>", "feed files (JSON)")
  .option("-l, --limit <n>", "items per feed", "3")
  .action(async (files, options) => {
    const feeds = [];
    for (const file of files) {
      feeds.push(JSON.parse(await readFile(file, "utf8")));
    }
    console.log(digest(feeds, Number(options.limit)));
  });

await program.parseAsync();
