/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.jetty;

import dev.opsagent.bootstrap.Bridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Inlined into Jetty 12's {@code Server.handle(Request, Response, Callback)}: one call into {@link
 * dev.opsagent.bootstrap.JettyHooks} on each side. The server's callback is replaced by the
 * agent's, which tells when the request completes.
 */
final class ServerHandleAdvice {

  private ServerHandleAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(
      @Advice.Argument(0) Object request,
      @Advice.Argument(1) Object response,
      @Advice.Argument(value = 2, readOnly = false, typing = Assigner.Typing.DYNAMIC)
          Object callback) {
    Object passedOn = Bridge.jetty.onEnter(request, response, callback);
    callback = passedOn;
    return passedOn;
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token, @Advice.Return boolean handled, @Advice.Thrown Throwable thrown) {
    Bridge.jetty.onExit(token, handled, thrown);
  }
}
