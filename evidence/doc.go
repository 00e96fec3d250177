// Package evidence makes a workspace's records checkable by anyone who holds
// the installation's public key and trusts nothing else.
//
// Every audit record, event and delivery attempt becomes a leaf of an
// append-only Merkle tree per workspace, hashed as RFC 6962/9162 prescribes:
// a leaf hash is SHA-256(0x00 || canonical bytes) and an inner node is
// SHA-256(0x01 || left || right). The installation signs tree heads (workspace,
// size, root hash, time) with Ed25519 as C2SP signed-note checkpoints. A
// Bundle carries one signing process's records with their inclusion proofs and
// a signed head, and Verify checks it offline.
//
// The package does no I/O of its own besides the key file: the tree's nodes
// live behind Store, which storage implements on the caller's transaction, so
// that a record and its leaf are written together or not at all.
package evidence
