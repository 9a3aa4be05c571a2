package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.gpupool.cli.client.ClientContext;
import io.gpupool.cli.client.ControllerChannels;
import io.gpupool.cli.client.SavedTokens;
import io.gpupool.controller.Controller;
import io.gpupool.controller.ControllerConfig;
import io.gpupool.proto.v1.ListAuditEventsResponse;
import io.gpupool.proto.v1.ListTokensResponse;
import io.gpupool.proto.v1.Token;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code gpupool token ...}, {@code whoami}, {@code audit} and {@code --token} against a real
 * controller on loopback, with authentication on as {@code gpupool controller} runs it.
 */
@Timeout(60)
class AccessCommandsTest {
  @TempDir Path dir;
  private Controller controller;
  private String target;
  private String admin;
  private SavedTokens saved;

  record Result(int exitCode, String out, String err) {
    String lastLine() {
      List<String> lines = out.lines().toList();
      return lines.get(lines.size() - 1);
    }
  }

  @BeforeEach
  void start() throws Exception {
    controller =
        Controller.start(
            ControllerConfig.builder()
                .insecure(true)
                .host("127.0.0.1")
                .grpcPort(0)
                .httpPort(-1)
                .dataDir(dir.resolve("data"))
                .joinToken("join")
                .build());
    target = "127.0.0.1:" + controller.grpcPort();
    admin = Files.readString(dir.resolve("data/admin.token")).strip();
    saved = SavedTokens.in(dir.resolve("config/gpupool/tokens"));
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  @Test
  void tokenCreatePrintsTheSecretOnItsLastLineAndTheSecretWorks() {
    Result created =
        run(
            "token",
            "create",
            "--token",
            admin,
            "--role",
            "user",
            "--tenant",
            "team-a",
            "--ttl",
            "30d",
            "--description",
            "ci pipeline");

    assertThat(created.exitCode()).as(created.err()).isZero();
    assertThat(created.out().lines().toList().get(0))
        .matches("created token [0-9a-f]{16}: role user, tenant team-a, expires .*");
    String secret = created.lastLine();
    assertThat(secret).matches("gpt_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");

    Result whoami = run("whoami", "--token", secret);
    assertThat(whoami.out().strip())
        .matches("token [0-9a-f]{16}, role user, tenant team-a \\(ci pipeline\\)");
  }

  @Test
  void tokenListAndRevokeAndJson() {
    String secret =
        run("token", "create", "--token", admin, "--role", "viewer", "--tenant", "t").lastLine();
    String id = secret.substring(4, 20);

    assertThat(run("token", "list", "--token", admin).out())
        .contains("ID", "ROLE", "TENANT")
        .contains(id)
        .contains("viewer");
    Result revoked = run("token", "revoke", id, "--token", admin);
    assertThat(revoked.out().strip()).isEqualTo("revoked token " + id);
    assertThat(run("token", "list", "--token", admin).out()).doesNotContain(id);
    assertThat(run("token", "list", "--all", "--token", admin, "-o", "json").out())
        .contains("\"id\": \"" + id + "\"")
        .contains("\"revokeTime\"");

    Result refused = run("whoami", "--token", secret);
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err().strip())
        .isEqualTo(
            "error: UNAUTHENTICATED: token "
                + id
                + " was revoked; ask an admin for a new one; pass a token with --token or"
                + " GPUPOOL_TOKEN (the controller's first admin token is in its"
                + " DATA_DIR/admin.token)");
  }

  @Test
  void withoutATokenTheErrorSaysWhichFlagOrVariableToSet() {
    Result result = run("list");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .startsWith("error: UNAUTHENTICATED: this call needs a token:")
        .contains("--token or GPUPOOL_TOKEN")
        .contains("DATA_DIR/admin.token")
        .doesNotContain("\tat ");
  }

  @Test
  void aRoleThatMayNotDoSomethingIsToldWhichRoleMay() {
    String user =
        run("token", "create", "--token", admin, "--role", "user", "--tenant", "a").lastLine();

    Result result = run("cordon", "n1", "--token", user);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .contains("PERMISSION_DENIED: gpupool.v1.SchedulerService/CordonNode needs role admin")
        .contains("has role user");
  }

  @Test
  void auditShowsWhoDidWhatPagedByAfter() {
    run("token", "create", "--token", admin, "--role", "agent");
    run("list");

    Result audit = run("audit", "--token", admin);
    assertThat(audit.exitCode()).as(audit.err()).isZero();
    assertThat(audit.out().lines())
        .hasSize(3)
        .anyMatch(line -> line.matches("1 .* admin .* AdminService/CreateToken .* OK .*"))
        .anyMatch(line -> line.matches("2 .* SchedulerService/ListTasks .* UNAUTHENTICATED .*"));
    assertThat(run("audit", "--token", admin, "--after", "1", "-o", "json").out())
        .contains("\"sequence\": \"2\"")
        .doesNotContain("\"sequence\": \"1\"");
  }

  @Test
  void aTokenSavedForTheControllerIsUsedWhenNoneIsGivenAndAGivenOneWins() throws Exception {
    saved.save(target, admin);
    String viewer = run("token", "create", "--role", "viewer", "--tenant", "team-a").lastLine();

    assertThat(run("whoami").out()).contains("role admin");
    assertThat(run("whoami", "--token", viewer).out()).contains("role viewer");
  }

  @Test
  void adminCommandsPrintOnlyJsonOfTheirMessageWithOutputJson() throws Exception {
    Map<List<String>, Supplier<Message.Builder>> commands = new LinkedHashMap<>();
    commands.put(List.of("whoami"), Token::newBuilder);
    commands.put(List.of("token", "list", "--all"), ListTokensResponse::newBuilder);
    commands.put(List.of("audit"), ListAuditEventsResponse::newBuilder);
    for (Map.Entry<List<String>, Supplier<Message.Builder>> command : commands.entrySet()) {
      List<String> args = new ArrayList<>(command.getKey());
      args.addAll(List.of("--token", admin, "-o", "json"));

      Result result = run(args.toArray(String[]::new));

      assertThat(result.exitCode()).as("%s: %s", args, result.err()).isZero();
      JsonFormat.parser().merge(result.out(), command.getValue().get());
    }
  }

  private Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ClientContext context =
        new ClientContext(ControllerChannels.netty(), Clock.system(ZoneOffset.UTC), saved);
    String[] withTarget = new String[args.length + 2];
    withTarget[0] = args[0];
    int first = 1;
    if (args[0].equals("token")) {
      withTarget[1] = args[1];
      first = 2;
    }
    System.arraycopy(args, first, withTarget, first + 2, args.length - first);
    withTarget[first] = "--controller";
    withTarget[first + 1] = target;
    int exitCode =
        new CommandLine(new GpuPoolCommand(context))
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(withTarget);
    return new Result(exitCode, out.toString(), err.toString());
  }
}
