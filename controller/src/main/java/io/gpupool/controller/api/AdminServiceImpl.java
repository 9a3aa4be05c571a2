package io.gpupool.controller.api;

import com.google.protobuf.util.Durations;
import io.gpupool.controller.auth.AuditLog;
import io.gpupool.controller.auth.CreatedToken;
import io.gpupool.controller.auth.Principal;
import io.gpupool.controller.auth.TokenRegistry;
import io.gpupool.controller.error.ControllerException;
import io.gpupool.proto.v1.AdminServiceGrpc;
import io.gpupool.proto.v1.CreateTokenRequest;
import io.gpupool.proto.v1.CreateTokenResponse;
import io.gpupool.proto.v1.GetIdentityRequest;
import io.gpupool.proto.v1.GetIdentityResponse;
import io.gpupool.proto.v1.ListAuditEventsRequest;
import io.gpupool.proto.v1.ListAuditEventsResponse;
import io.gpupool.proto.v1.ListTokensRequest;
import io.gpupool.proto.v1.ListTokensResponse;
import io.gpupool.proto.v1.RevokeTokenRequest;
import io.gpupool.proto.v1.RevokeTokenResponse;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.Token;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Access control over the API: tokens, the caller's identity, the audit log. Who may call what is
 * decided before a call gets here (see {@code io.gpupool.controller.auth.AccessPolicy}); this
 * validates, naming every offending field, and answers.
 */
public final class AdminServiceImpl extends AdminServiceGrpc.AdminServiceImplBase {
  static final int MAX_DESCRIPTION = 256;
  static final Duration MAX_TTL = Duration.ofDays(36_500);
  static final int DEFAULT_AUDIT_PAGE = 100;
  static final int MAX_AUDIT_PAGE = 1000;
  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");

  private final TokenRegistry tokens;
  private final AuditLog audit;

  public AdminServiceImpl(TokenRegistry tokens, AuditLog audit) {
    this.tokens = tokens;
    this.audit = audit;
  }

  @Override
  public void createToken(CreateTokenRequest request, StreamObserver<CreateTokenResponse> out) {
    Rpc.answer(
        out,
        () -> {
          Duration ttl = validate(request);
          Principal caller = Principal.current();
          CreatedToken created =
              tokens.create(
                  request.getRole(),
                  request.getTenant(),
                  request.getDescription(),
                  ttl,
                  caller.tokenId().isEmpty() ? "anonymous" : caller.tokenId());
          return CreateTokenResponse.newBuilder()
              .setToken(created.token())
              .setSecret(created.secret())
              .build();
        });
  }

  /** Throws INVALID_ARGUMENT naming every bad field; returns the ttl, null for none. */
  private static Duration validate(CreateTokenRequest request) {
    Violations v = Violations.of(request);
    Role role = request.getRole();
    String tenant = request.getTenant();
    switch (role) {
      case ROLE_USER, ROLE_VIEWER -> {
        if (tenant.isEmpty()) {
          v.add("tenant", "required for " + role + " (the tenant whose tasks it submits and sees)");
        } else {
          v.check(
              TENANT.matcher(tenant).matches(),
              "tenant",
              "1 to 253 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
      }
      case ROLE_ADMIN, ROLE_AGENT ->
          v.check(
              tenant.isEmpty(),
              "tenant",
              "must be empty for " + role + " (it belongs to no tenant)");
      case ROLE_UNSPECIFIED, UNRECOGNIZED ->
          v.add("role", "required: ROLE_ADMIN, ROLE_USER, ROLE_VIEWER or ROLE_AGENT");
    }
    v.check(
        request.getDescription().length() <= MAX_DESCRIPTION,
        "description",
        "at most " + MAX_DESCRIPTION + " characters, got " + request.getDescription().length());
    Duration ttl = null;
    if (request.hasTtl()) {
      if (!Durations.isValid(request.getTtl()) || !Durations.isPositive(request.getTtl())) {
        v.add("ttl", "must be positive when set");
      } else {
        ttl = Duration.ofSeconds(request.getTtl().getSeconds(), request.getTtl().getNanos());
        v.check(ttl.compareTo(MAX_TTL) <= 0, "ttl", "at most 36500 days");
      }
    }
    v.throwIfAny();
    return ttl;
  }

  @Override
  public void listTokens(ListTokensRequest request, StreamObserver<ListTokensResponse> out) {
    Rpc.answer(
        out,
        () -> {
          Violations.of(request).throwIfAny();
          return ListTokensResponse.newBuilder()
              .addAllTokens(tokens.list(request.getIncludeInactive()))
              .build();
        });
  }

  @Override
  public void revokeToken(RevokeTokenRequest request, StreamObserver<RevokeTokenResponse> out) {
    Rpc.answer(
        out,
        () -> {
          Violations v = Violations.of(request);
          v.check(!request.getId().isEmpty(), "id", "required (a token id; see ListTokens)");
          v.throwIfAny();
          Principal caller = Principal.current();
          Token revoked =
              tokens
                  .revoke(
                      request.getId(), caller.tokenId().isEmpty() ? "anonymous" : caller.tokenId())
                  .orElseThrow(
                      () ->
                          ControllerException.notFound("token " + request.getId() + " not found"));
          return RevokeTokenResponse.newBuilder().setToken(revoked).build();
        });
  }

  @Override
  public void getIdentity(GetIdentityRequest request, StreamObserver<GetIdentityResponse> out) {
    Rpc.answer(
        out,
        () -> {
          Violations.of(request).throwIfAny();
          Principal caller = Principal.current();
          Token token =
              caller.tokenId().isEmpty()
                  ? Token.newBuilder()
                      .setRole(caller.role())
                      .setDescription("authentication is off: every caller acts as admin")
                      .build()
                  : tokens
                      .find(caller.tokenId())
                      .orElseThrow(
                          () ->
                              ControllerException.unauthenticated(
                                  "token " + caller.tokenId() + " no longer exists"));
          return GetIdentityResponse.newBuilder().setToken(token).build();
        });
  }

  @Override
  public void listAuditEvents(
      ListAuditEventsRequest request, StreamObserver<ListAuditEventsResponse> out) {
    Rpc.answer(
        out,
        () -> {
          Violations v = Violations.of(request);
          v.check(
              request.getAfterSequence() >= 0,
              "after_sequence",
              "must not be negative, got " + request.getAfterSequence());
          v.check(
              request.getLimit() >= 0 && request.getLimit() <= MAX_AUDIT_PAGE,
              "limit",
              "must be between 0 and " + MAX_AUDIT_PAGE + ", got " + request.getLimit());
          v.throwIfAny();
          int limit = request.getLimit() == 0 ? DEFAULT_AUDIT_PAGE : request.getLimit();
          return ListAuditEventsResponse.newBuilder()
              .addAllEvents(audit.list(request.getAfterSequence(), limit))
              .build();
        });
  }
}
