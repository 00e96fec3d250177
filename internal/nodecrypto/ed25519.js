// Checks and makes Standard Webhooks "v1a" (Ed25519) signatures with Node's
// built-in crypto, independently of the Go code under test.
//
// stdin: {"mode":"verify"|"sign", "publicKey":"whpk_…", "signingKey":"whsk_…",
//         "id":"…", "timestamp":"…", "body":"…", "signature":"v1a,… v1a,…"}
// stdout: "valid" or "invalid" (verify), or the "v1a,<base64>" signature (sign).
"use strict";
const crypto = require("node:crypto");

const b64url = (buf) => buf.toString("base64url");
const raw = (key, prefix) => {
  if (!key.startsWith(prefix)) throw new Error(`key must start with ${prefix}`);
  return Buffer.from(key.slice(prefix.length), "base64");
};

let input = "";
process.stdin.on("data", (c) => (input += c));
process.stdin.on("end", () => {
  const req = JSON.parse(input);
  const content = Buffer.from(`${req.id}.${req.timestamp}.${req.body}`, "utf8");
  if (req.mode === "sign") {
    const seed = raw(req.signingKey, "whsk_").subarray(0, 32);
    const pub = raw(req.publicKey, "whpk_");
    const key = crypto.createPrivateKey({
      key: { kty: "OKP", crv: "Ed25519", d: b64url(seed), x: b64url(pub) },
      format: "jwk",
    });
    process.stdout.write("v1a," + crypto.sign(null, content, key).toString("base64"));
    return;
  }
  const key = crypto.createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: b64url(raw(req.publicKey, "whpk_")) },
    format: "jwk",
  });
  const ok = req.signature.split(" ").some((s) => {
    const [version, sig] = s.split(",");
    return version === "v1a" && crypto.verify(null, content, key, Buffer.from(sig, "base64"));
  });
  process.stdout.write(ok ? "valid" : "invalid");
});
