/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * The agent's implementations of a server's interfaces (a listener, a callback): proxies, since the
 * agent's classes cannot link against the server's API.
 */
public final class AgentProxies {

  private AgentProxies() {}

  /**
   * @return an implementation of {@code type}, from {@code type}'s class loader, whose every call
   *     goes to {@code handler}; {@code null} if none can be made
   */
  public static Object implement(Class<?> type, InvocationHandler handler) {
    try {
      return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    } catch (RuntimeException | Error e) {
      return null;
    }
  }

  /**
   * What one of the agent's proxies answers to {@code Object}'s methods: it is equal only to
   * itself.
   *
   * @return the answer to {@code hashCode}, {@code equals} or {@code toString}; {@code null} for
   *     any other method
   */
  public static Object identity(Object proxy, Method method, Object[] args) {
    switch (method.getName()) {
      case "hashCode":
        return System.identityHashCode(proxy);
      case "equals":
        return args != null && args.length == 1 && proxy == args[0];
      case "toString":
        return "opsagent " + proxy.getClass().getInterfaces()[0].getSimpleName();
      default:
        return null;
    }
  }
}
