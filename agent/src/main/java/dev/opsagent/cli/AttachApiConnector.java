/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The attach API of module {@code jdk.attach}: the only class of the command line that names its
 * types. The JVM loads them when this class is first used, so {@link Cli} checks first that this
 * runtime has the module.
 */
final class AttachApiConnector implements JvmConnector {

  /** Not exported by {@code jdk.attach}: the jar's manifest exports it to {@code java -jar}. */
  private static final String HOTSPOT_VIRTUAL_MACHINE = "sun.tools.attach.HotSpotVirtualMachine";

  /** How long a JVM may take to answer a request: far more than a running JVM ever needs. */
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(15);

  /** How long opsagent's agentmain may take: a detach flushes the exporters, bounded by 30 s. */
  private static final Duration AGENTMAIN_TIMEOUT = Duration.ofMinutes(2);

  @Override
  public List<ListedJvm> list() throws AttachFailure {
    List<ListedJvm> jvms = new ArrayList<>();
    for (VirtualMachineDescriptor descriptor : call(VirtualMachine::list)) {
      try {
        jvms.add(new ListedJvm(Long.parseLong(descriptor.id()), descriptor.displayName()));
      } catch (NumberFormatException e) {
        // Not a process ID: a provider other than the JDK's local one. Not ours to list.
      }
    }
    return jvms;
  }

  @Override
  public JvmConnection attach(long pid) throws AttachFailure {
    return new Connection(call(() -> VirtualMachine.attach(Long.toString(pid))));
  }

  /** Calls the attach API, whose every exception becomes an {@link AttachFailure}. */
  private static <T> T call(Callable<T> call) throws AttachFailure {
    return call(call, ANSWER_TIMEOUT);
  }

  /**
   * Calls the attach API on a thread of its own, for at most {@code timeout}: a JVM that is stopped
   * (SIGSTOP, a debugger) or hung never answers on a connection it accepted, and the attach API
   * would wait forever. The thread is a daemon, so the command can end without it.
   */
  private static <T> T call(Callable<T> call, Duration timeout) throws AttachFailure {
    FutureTask<T> task = new FutureTask<>(call);
    Thread thread = new Thread(task, "opsagent-cli-attach");
    thread.setDaemon(true);
    thread.start();
    try {
      return task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AttachFailure(e.getCause());
    } catch (TimeoutException e) {
      throw new AttachFailure(
          new IOException("timed out: no answer within " + timeout.toSeconds() + " s"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AttachFailure(e);
    }
  }

  /** A {@link VirtualMachine} this command attached to. */
  private static final class Connection implements JvmConnection {

    private final VirtualMachine vm;

    Connection(VirtualMachine vm) {
      this.vm = vm;
    }

    @Override
    public Properties systemProperties() throws AttachFailure {
      return call(vm::getSystemProperties);
    }

    @Override
    public Properties agentProperties() throws AttachFailure {
      return call(vm::getAgentProperties);
    }

    @Override
    public void loadAgent(String agentJar, String options) throws AttachFailure {
      call(
          () -> {
            vm.loadAgent(agentJar, options);
            return null;
          },
          AGENTMAIN_TIMEOUT);
    }

    @Override
    public Optional<String> threadDump() throws AttachFailure {
      return call(this::readThreadDump);
    }

    private Optional<String> readThreadDump() throws IOException {
      Method executeJCmd;
      try {
        Class<?> hotspot = Class.forName(HOTSPOT_VIRTUAL_MACHINE);
        if (!hotspot.isInstance(vm)) {
          return Optional.empty();
        }
        executeJCmd = hotspot.getMethod("executeJCmd", String.class);
      } catch (ReflectiveOperationException | RuntimeException e) {
        // Not exported to this command (run other than by java -jar), or not a HotSpot JVM.
        return Optional.empty();
      }
      try (InputStream dump = (InputStream) executeJCmd.invoke(vm, "Thread.print")) {
        return Optional.of(new String(dump.readAllBytes(), UTF_8));
      } catch (IllegalAccessException e) {
        return Optional.empty();
      } catch (InvocationTargetException e) {
        throw e.getCause() instanceof IOException
            ? (IOException) e.getCause()
            : new IOException(e.getCause());
      }
    }

    @Override
    public void close() {
      try {
        vm.detach();
      } catch (IOException e) {
        // The JVM is gone or closed the connection: nothing left to release.
      }
    }
  }
}
