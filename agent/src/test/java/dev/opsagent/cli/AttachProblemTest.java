/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The attach API's messages, as JDK 17 and 25 word them, told apart. */
class AttachProblemTest {

  @Test
  void attachApiMessagesAreToldApart() {
    assertThat(
            AttachProblem.of(
                new AttachNotSupportedException("The VM does not support the attach mechanism")))
        .isEqualTo(AttachProblem.ATTACH_DISABLED);
    assertThat(
            AttachProblem.of(
                new AgentLoadException(
                    "Dynamic agent loading is not enabled. Use -XX:+EnableDynamicAgentLoading to"
                        + " launch target VM.")))
        .isEqualTo(AttachProblem.DYNAMIC_AGENTS_FORBIDDEN);
    assertThat(
            AttachProblem.of(
                new IOException(
                    "well-known file /tmp/.java_pid607 is not secure: file should be owned by the"
                        + " current user (which is 65534) but is owned by 0")))
        .isEqualTo(AttachProblem.NOT_PERMITTED);
    assertThat(AttachProblem.of(new IOException("Operation not permitted")))
        .isEqualTo(AttachProblem.NOT_PERMITTED);
    assertThat(AttachProblem.of(new IOException("No such process"))).isEqualTo(AttachProblem.GONE);
    assertThat(
            AttachProblem.of(
                new AttachNotSupportedException(
                    "Unable to open socket file /proc/42/root/tmp/.java_pid42: target process 42"
                        + " doesn't respond within 10500ms or HotSpot VM not loaded")))
        .isEqualTo(AttachProblem.NO_ANSWER);
    assertThat(
            AttachProblem.of(
                new AgentInitializationException(
                    "Agent JAR loaded but agent failed to initialize", 1)))
        .isEqualTo(AttachProblem.AGENT_FAILED);
    assertThat(AttachProblem.of(new AgentLoadException("Agent JAR not found or no Agent-Class")))
        .isEqualTo(AttachProblem.AGENT_NOT_LOADED);
    assertThat(AttachProblem.of(new IOException((String) null))).isEqualTo(AttachProblem.OTHER);
  }

  @Test
  void theUsersMessageSaysTheFixAndKeepsTheOriginalAsCause() {
    CliException error =
        new AttachFailure(
                new AttachNotSupportedException("The VM does not support the attach mechanism"))
            .toCliException("JVM 42 (app.jar)", "/opt/opsagent.jar");

    assertThat(error.exitCode()).isEqualTo(CliException.ERROR);
    assertThat(error.getMessage())
        .isEqualTo(
            "JVM 42 (app.jar) was started with -XX:+DisableAttachMechanism, so it accepts no agent"
                + " while it runs; restart it with -javaagent:/opt/opsagent.jar, or without"
                + " -XX:+DisableAttachMechanism to attach later (cause:"
                + " AttachNotSupportedException: The VM does not support the attach mechanism)");
  }
}
