package io.gpupool.cli.client;

import com.google.protobuf.Timestamp;
import io.gpupool.cli.text.TablePrinter;
import io.gpupool.cli.text.TimeText;
import io.gpupool.proto.v1.CreateTokenRequest;
import io.gpupool.proto.v1.CreateTokenResponse;
import io.gpupool.proto.v1.ListTokensRequest;
import io.gpupool.proto.v1.ListTokensResponse;
import io.gpupool.proto.v1.RevokeTokenRequest;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.Token;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gpupool token create|list|revoke}: the controller's API tokens (admin only). {@code
 * create} prints the new secret on its last line, so that {@code TOKEN=$(gpupool token create ... |
 * tail -1)} works.
 */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = {
      "Creates, lists and revokes API tokens (admin only).",
      "Each token has a role: admin (everything), user (submit, see and cancel its tenant's tasks;"
          + " see nodes), viewer (read its tenant's tasks, nodes, the policy) or agent (join"
          + " nodes with 'gpupool agent --join-token')."
    },
    subcommands = {
      TokenCommand.Create.class,
      TokenCommand.ListTokens.class,
      TokenCommand.Revoke.class
    })
public final class TokenCommand implements Runnable {
  @Spec private CommandSpec spec;

  /** {@code gpupool token} without a subcommand is a usage error. */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand; see the list below");
  }

  /** {@code gpupool token create}. */
  @Command(
      name = "create",
      description = {
        "Creates a token and prints its secret on the last line; the controller keeps only its"
            + " hash, so this is the only time it is shown.",
        "Example: TOKEN=$(gpupool token create --role user --tenant team-a --ttl 30d | tail -1)"
      })
  static final class Create implements Callable<Integer> {
    @Mixin private ControllerOptions controller;

    @Option(
        names = "--role",
        required = true,
        paramLabel = "ROLE",
        converter = RoleConverter.class,
        description = "admin, user, viewer or agent.")
    private Role role;

    @Option(
        names = "--tenant",
        paramLabel = "TENANT",
        defaultValue = "",
        description = "The tenant whose tasks it submits and sees; required for user and viewer.")
    private String tenant;

    @Option(
        names = "--ttl",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "How long it works, e.g. 30d or 12h. Default: until revoked.")
    private Duration ttl;

    @Option(
        names = "--description",
        paramLabel = "TEXT",
        defaultValue = "",
        description = "Free text, e.g. who holds it (at most 256 characters).")
    private String description;

    @Override
    public Integer call() {
      CreateTokenRequest.Builder request =
          CreateTokenRequest.newBuilder()
              .setRole(role)
              .setTenant(tenant)
              .setDescription(description);
      if (ttl != null) {
        request.setTtl(ProtoTime.duration(ttl));
      }
      CreateTokenResponse created;
      try (ControllerConnection connection = controller.connect()) {
        created = connection.admin().createToken(request.build());
      }
      PrintWriter out = controller.out();
      if (controller.json()) {
        out.println(Json.pretty(created));
      } else {
        Token token = created.getToken();
        TimeText time = new TimeText(controller.context().clock().getZone());
        out.println(
            "created token "
                + token.getId()
                + ": role "
                + RoleConverter.label(token.getRole())
                + (token.getTenant().isEmpty() ? "" : ", tenant " + token.getTenant())
                + ProtoTime.instant(token.hasExpireTime(), token.getExpireTime())
                    .map(at -> ", expires " + time.dateTime(at))
                    .orElse(", never expires"));
        out.println(
            token.getRole() == Role.ROLE_AGENT
                ? "its secret (shown only now) joins nodes: gpupool agent --join-token SECRET ..."
                : "its secret (shown only now) goes in --token or GPUPOOL_TOKEN:");
        out.println(created.getSecret());
      }
      out.flush();
      return 0;
    }
  }

  /** {@code gpupool token list}. */
  @Command(name = "list", description = "Lists tokens (without their secrets).")
  static final class ListTokens implements Callable<Integer> {
    @Mixin private ControllerOptions controller;

    @Option(names = "--all", description = "Also list revoked and expired tokens.")
    private boolean all;

    @Override
    public Integer call() {
      ListTokensResponse tokens;
      try (ControllerConnection connection = controller.connect()) {
        tokens =
            connection
                .admin()
                .listTokens(ListTokensRequest.newBuilder().setIncludeInactive(all).build());
      }
      PrintWriter out = controller.out();
      if (controller.json()) {
        out.println(Json.pretty(tokens));
      } else {
        TimeText time = new TimeText(controller.context().clock().getZone());
        TablePrinter table =
            TablePrinter.withHeader(
                "ID", "ROLE", "TENANT", "CREATED", "EXPIRES", "REVOKED", "BY", "DESCRIPTION");
        for (Token token : tokens.getTokensList()) {
          table.row(
              token.getId(),
              RoleConverter.label(token.getRole()),
              TaskText.orDash(token.getTenant()),
              when(time, token.hasCreateTime(), token.getCreateTime()),
              when(time, token.hasExpireTime(), token.getExpireTime()),
              when(time, token.hasRevokeTime(), token.getRevokeTime()),
              TaskText.orDash(token.getCreatedBy()),
              TaskText.orDash(token.getDescription()));
        }
        table.print(out);
      }
      out.flush();
      return 0;
    }

    private static String when(TimeText time, boolean set, Timestamp at) {
      return ProtoTime.instant(set, at).map(time::dateTime).orElse("-");
    }
  }

  /** {@code gpupool token revoke ID}. */
  @Command(
      name = "revoke",
      description = "Revokes a token at once: calls with it fail from then on.")
  static final class Revoke implements Callable<Integer> {
    @Mixin private ControllerOptions controller;

    @Parameters(paramLabel = "ID", description = "Token id, as 'gpupool token list' shows it.")
    private String id;

    @Override
    public Integer call() {
      Token token;
      try (ControllerConnection connection = controller.connect()) {
        token =
            connection
                .admin()
                .revokeToken(RevokeTokenRequest.newBuilder().setId(id).build())
                .getToken();
      }
      controller
          .out()
          .println(controller.json() ? Json.pretty(token) : "revoked token " + token.getId());
      controller.out().flush();
      return 0;
    }
  }
}
