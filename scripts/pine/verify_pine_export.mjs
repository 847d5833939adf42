#!/usr/bin/env node
// Checks that Pine Script strategies exported with `gauntlet export --format pine` hold their
// entry and exit signals on exactly the bars where Gauntlet's engine does, by running them in PineTS
// (a Pine Script v5/v6 runtime for Node.js, pinned in package.json).
//
//     node scripts/pine/verify_pine_export.mjs MANIFEST.jsonl
//
// Each manifest line is a JSON object {"label", "script", "data", "expected"}: the exported script,
// the bars as CSV (timestamp, open, high, low, close[, volume], or timestamp, close), and Gauntlet's
// signals as CSV with one row per bar: long, short, channel_exit_long, channel_exit_short (0 or 1),
// and for a formula genome exit_long, exit_short (its exit formulas: plots "formula exit long/short").
// The script's data-window plots "long signal", "short signal", "channel exit long" and "channel
// exit short" must equal them on every bar. Prints one line per failing script and a summary; exits
// with status 1 when any failed.
//
// PineTS is AGPL-3.0 (or commercial) software: it is installed for this check only, never shipped.
import fs from 'node:fs';
import { Context, PineTS } from 'pinets';

// PineTS rounds every value it stores to 10 decimal places (Context.precision); TradingView and
// Gauntlet keep full doubles, and a close that equals its SMA to 1e-10 would then compare equal in
// PineTS only. 2**900 turns the rounding into the identity for magnitudes from 1e-40 to 1e37
// (scaling by a power of two is exact, and Math.round leaves numbers above 2**53 as they are).
Context.PRECISION_EPSILON = 2 ** 900;

const PLOTS = ['long signal', 'short signal', 'channel exit long', 'channel exit short'];

function readCsv(path) {
    const [header, ...rows] = fs.readFileSync(path, 'utf8').trim().split('\n');
    const names = header.trim().toLowerCase().split(',');
    return rows.map((row) => {
        const cells = row.trim().split(',');
        return Object.fromEntries(names.map((name, i) => [name, cells[i]]));
    });
}

function candles(path) {
    return readCsv(path).map((row, i, all) => {
        const time = /^\d+$/.test(row.timestamp) ? Number(row.timestamp) : Date.parse(row.timestamp);
        const close = Number(row.close);
        const next = i + 1 < all.length ? Date.parse(all[i + 1].timestamp) : time + 1;
        return {
            open: row.open === undefined ? close : Number(row.open),
            high: row.high === undefined ? close : Number(row.high),
            low: row.low === undefined ? close : Number(row.low),
            close,
            volume: row.volume === undefined ? 0 : Number(row.volume),
            openTime: time,
            closeTime: next - 1,
        };
    });
}

async function verify(entry) {
    const bars = candles(entry.data);
    const expected = readCsv(entry.expected);
    const script = fs.readFileSync(entry.script, 'utf8');
    const context = await new PineTS(bars).run(script);
    const counts = { long: 0, short: 0 };
    for (const [column, title] of [
        ['long', PLOTS[0]],
        ['short', PLOTS[1]],
        ['channel_exit_long', PLOTS[2]],
        ['channel_exit_short', PLOTS[3]],
        // A formula genome's exit formulas, when Gauntlet's signals have them.
        ...(expected.length && 'exit_long' in expected[0]
            ? [['exit_long', 'formula exit long'], ['exit_short', 'formula exit short']]
            : []),
    ]) {
        const plot = context.plots[title];
        // A script without exit formulas plots none: Gauntlet's column must then be all 0.
        if (!plot && column.startsWith('exit_') && expected.every((row) => Number(row[column]) === 0)) continue;
        if (!plot) return { failure: `no "${title}" plot`, counts };
        if (plot.data.length !== expected.length) {
            return { failure: `"${title}" has ${plot.data.length} bars, Gauntlet ${expected.length}`, counts };
        }
        for (let i = 0; i < expected.length; i++) {
            const pine = plot.data[i].value === 1 ? 1 : 0;
            const gauntlet = Number(expected[i][column]);
            if (pine !== gauntlet) {
                return { failure: `bar ${i} (${new Date(bars[i].openTime).toISOString()}): "${title}" is ${pine} in PineTS, ${gauntlet} in Gauntlet`, counts };
            }
            if (column === 'long' || column === 'short') counts[column] += gauntlet;
        }
    }
    return { failure: null, counts };
}

const manifest = process.argv[2];
if (!manifest) {
    console.error('usage: node verify_pine_export.mjs MANIFEST.jsonl');
    process.exit(2);
}
const entries = fs.readFileSync(manifest, 'utf8').split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line));
let failed = 0;
let signals = 0;
for (const entry of entries) {
    let result;
    try {
        result = await verify(entry);
    } catch (error) {
        result = { failure: String(error && error.message ? error.message : error).split('\n')[0], counts: { long: 0, short: 0 } };
    }
    signals += result.counts.long + result.counts.short;
    if (result.failure) {
        failed += 1;
        console.log(`FAILED ${entry.label}: ${result.failure}`);
    }
}
console.log(`${entries.length - failed} of ${entries.length} exported Pine scripts gave Gauntlet's signals in PineTS: ${signals} signal bars compared`);
process.exit(failed || entries.length === 0 ? 1 : 0);
