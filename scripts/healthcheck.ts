/**
 * The image's HEALTHCHECK (Dockerfile, docker-compose.yml): exits 0 when the URL (by default this
 * API's /healthz) answers 2xx within 3 seconds, else 1 with the reason. Plain Node, no dependencies.
 *   node dist/scripts/healthcheck.js [url]
 */
const url = process.argv[2] ?? `http://127.0.0.1:${process.env.PORT ?? '3000'}/healthz`;

fetch(url, { signal: AbortSignal.timeout(3_000) }).then(
  (response) => {
    if (!response.ok) console.error(`${url} answered ${response.status}`);
    process.exit(response.ok ? 0 : 1);
  },
  (error: unknown) => {
    console.error(`${url} does not answer: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
