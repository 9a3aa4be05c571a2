package io.gpupool.controller.auth;

import io.gpupool.proto.v1.AdminServiceGrpc;
import io.gpupool.proto.v1.AgentServiceGrpc;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.grpc.MethodDescriptor;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The access table: for every RPC of the gpupool services, how its caller is authenticated and
 * which roles may make it. The one place where role-based decisions are written down; {@link
 * AuthInterceptor} enforces it, and a test fails when an RPC of a service is missing here. Health
 * checks and server reflection are open. Per-tenant decisions (whose tasks a caller sees) are made
 * by the services, not here.
 *
 * <p>Immutable and thread-safe.
 */
public final class AccessPolicy {

  /** How a call proves who makes it. */
  public enum Check {
    /** Nothing: anyone may call (health, reflection). */
    OPEN,
    /** A credential inside the request (the join token, the node credential); no bearer token. */
    IN_REQUEST,
    /** A bearer token of one of the rule's roles. */
    BEARER
  }

  /**
   * The rule of one RPC.
   *
   * @param check how the caller is authenticated
   * @param roles who may call it when {@code check} is {@link Check#BEARER}; empty otherwise
   */
  public record Rule(Check check, Set<Role> roles) {
    public Rule {
      roles = roles.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(roles));
    }

    /** True when a caller with this role passes the rule. */
    public boolean allows(Role role) {
      return check != Check.BEARER || roles.contains(role);
    }
  }

  private static final Set<Role> ANY_ROLE =
      EnumSet.of(Role.ROLE_ADMIN, Role.ROLE_USER, Role.ROLE_VIEWER, Role.ROLE_AGENT);
  private static final Set<Role> READERS =
      EnumSet.of(Role.ROLE_ADMIN, Role.ROLE_USER, Role.ROLE_VIEWER);
  private static final Set<Role> WRITERS = EnumSet.of(Role.ROLE_ADMIN, Role.ROLE_USER);
  private static final Set<Role> ADMINS = EnumSet.of(Role.ROLE_ADMIN);

  private static final Set<String> OPEN_SERVICES =
      Set.of(
          "grpc.health.v1.Health",
          "grpc.reflection.v1.ServerReflection",
          "grpc.reflection.v1alpha.ServerReflection");

  private static final AccessPolicy GPUPOOL = build();

  private final Map<String, Rule> rules;

  private AccessPolicy(Map<String, Rule> rules) {
    this.rules = Map.copyOf(rules);
  }

  /** The gpupool table; the README's "Access control" says it in prose. */
  public static AccessPolicy gpupool() {
    return GPUPOOL;
  }

  private static AccessPolicy build() {
    Map<String, Rule> rules = new LinkedHashMap<>();
    // Clients: tasks (the services narrow users and viewers to their tenant), nodes, config.
    bearer(rules, SchedulerServiceGrpc.getSubmitTaskMethod(), WRITERS);
    bearer(rules, SchedulerServiceGrpc.getGetTaskMethod(), READERS);
    bearer(rules, SchedulerServiceGrpc.getListTasksMethod(), READERS);
    bearer(rules, SchedulerServiceGrpc.getCancelTaskMethod(), WRITERS);
    bearer(rules, SchedulerServiceGrpc.getWatchTaskMethod(), READERS);
    bearer(rules, SchedulerServiceGrpc.getListTaskEventsMethod(), READERS);
    bearer(rules, SchedulerServiceGrpc.getListNodesMethod(), READERS);
    bearer(rules, SchedulerServiceGrpc.getCordonNodeMethod(), ADMINS);
    bearer(rules, SchedulerServiceGrpc.getClearGpuQuarantineMethod(), ADMINS);
    bearer(rules, SchedulerServiceGrpc.getGetSchedulerConfigMethod(), READERS);
    bearer(rules, SchedulerServiceGrpc.getGetUsageMethod(), READERS);
    // Access control itself.
    bearer(rules, AdminServiceGrpc.getCreateTokenMethod(), ADMINS);
    bearer(rules, AdminServiceGrpc.getListTokensMethod(), ADMINS);
    bearer(rules, AdminServiceGrpc.getRevokeTokenMethod(), ADMINS);
    bearer(rules, AdminServiceGrpc.getGetIdentityMethod(), ANY_ROLE);
    bearer(rules, AdminServiceGrpc.getListAuditEventsMethod(), ADMINS);
    // Agents: Register checks the join token (or an agent token) in the request; Connect the node
    // credential Register handed out.
    rules.put(
        AgentServiceGrpc.getRegisterMethod().getFullMethodName(),
        new Rule(Check.IN_REQUEST, Set.of()));
    rules.put(
        AgentServiceGrpc.getConnectMethod().getFullMethodName(),
        new Rule(Check.IN_REQUEST, Set.of()));
    return new AccessPolicy(rules);
  }

  private static void bearer(
      Map<String, Rule> rules, MethodDescriptor<?, ?> method, Set<Role> roles) {
    rules.put(method.getFullMethodName(), new Rule(Check.BEARER, roles));
  }

  /**
   * The rule of an RPC by its full name ({@code gpupool.v1.SchedulerService/SubmitTask}); empty for
   * an RPC nobody wrote a rule for, which the interceptor refuses.
   */
  public Optional<Rule> rule(String fullMethodName) {
    Rule rule = rules.get(fullMethodName);
    if (rule != null) {
      return Optional.of(rule);
    }
    String service = MethodDescriptor.extractFullServiceName(fullMethodName);
    return OPEN_SERVICES.contains(service)
        ? Optional.of(new Rule(Check.OPEN, Set.of()))
        : Optional.empty();
  }
}
