/**
 * Who may call what: API tokens (created, hashed, looked up, revoked, expired on the injected
 * clock), the {@link io.gpupool.controller.auth.Principal} a call runs as, the access table from
 * RPC to roles, the interceptor that authenticates, rate-limits and authorizes every call before a
 * service sees it, the first admin token written to {@code DATA_DIR/admin.token}, and the audit
 * log.
 *
 * <p>Authorization has two layers: the {@link io.gpupool.controller.auth.AccessPolicy} table
 * decides by role alone (PERMISSION_DENIED), and the services decide by tenant (another tenant's
 * task is NOT_FOUND), reading the principal the interceptor bound to the call. Depends on gRPC, the
 * generated protos, {@code store} (tokens and audit tables), {@code state} (secret hashing) and
 * {@code error}; never on {@code api} or the loop.
 */
package io.gpupool.controller.auth;
