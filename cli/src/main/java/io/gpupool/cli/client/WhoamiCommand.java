package io.gpupool.cli.client;

import io.gpupool.proto.v1.GetIdentityRequest;
import io.gpupool.proto.v1.Token;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code gpupool whoami}: the token the CLI calls with, as the controller sees it. */
@Command(
    name = "whoami",
    description = "Shows the token the CLI calls the controller with: id, role, tenant.")
public final class WhoamiCommand implements Callable<Integer> {
  @Mixin private ControllerOptions controller;

  @Override
  public Integer call() {
    Token token;
    try (ControllerConnection connection = controller.connect()) {
      token = connection.admin().getIdentity(GetIdentityRequest.getDefaultInstance()).getToken();
    }
    if (controller.json()) {
      controller.out().println(Json.pretty(token));
    } else if (token.getId().isEmpty()) {
      controller.out().println("no token: " + token.getDescription());
    } else {
      controller
          .out()
          .println(
              "token "
                  + token.getId()
                  + ", role "
                  + RoleConverter.label(token.getRole())
                  + (token.getTenant().isEmpty() ? "" : ", tenant " + token.getTenant())
                  + (token.getDescription().isEmpty() ? "" : " (" + token.getDescription() + ")"));
    }
    controller.out().flush();
    return 0;
  }
}
