// A backend whose /me route only answers the end users of your identity provider.
// ALTER_URL=http://127.0.0.1:4000 ALTER_KEY=alter_key_… node server.mjs
import express from 'express';
import { createAlter } from '@alter/sdk';
import { alterMiddleware } from '@alter/sdk/express';

const alter = createAlter({ baseUrl: process.env.ALTER_URL, runtimeKey: process.env.ALTER_KEY });
const app = express();
app.get('/me', alterMiddleware(alter), (req, res) => res.json({ id: req.alter.user.id, email: req.alter.user.email, groups: req.alter.groups }));
app.get('/health', (_req, res) => res.json({ ok: true }));
const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => console.log(`express-app listening on http://127.0.0.1:${server.address().port}`));
