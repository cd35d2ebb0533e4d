/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * The agent's side of TLS client authentication: presents the configured client certificate, if
 * any, and notes whether the receiver asked for one and whether one was presented. Receivers refuse
 * a missing or unknown client certificate in different ways (an alert, a closed connection, a reset
 * connection, depending on the server and the TLS version); what the receiver asked for is the same
 * in every case, and tells the operator what to fix.
 */
final class ClientAuthentication extends X509ExtendedKeyManager {

  /** The configured key and certificate chain; null: none. */
  private final X509KeyManager configured;

  private volatile boolean requested;
  private volatile boolean presented;

  ClientAuthentication(X509KeyManager configured) {
    this.configured = configured;
  }

  /** Whether a receiver asked for a client certificate and never got one. */
  boolean requestedWithoutCertificate() {
    return requested && !presented;
  }

  /** Whether a receiver got the configured client certificate. */
  boolean presented() {
    return presented;
  }

  /**
   * The TLS implementation asks once for each key type that the receiver accepts, until a
   * certificate fits: only a chosen one says what was presented.
   */
  private String noted(String alias) {
    requested = true;
    if (alias != null) {
      presented = true;
    }
    return alias;
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return noted(
        configured == null ? null : configured.chooseClientAlias(keyTypes, issuers, socket));
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    if (configured == null) {
      return noted(null);
    }
    return noted(
        configured instanceof X509ExtendedKeyManager
            ? ((X509ExtendedKeyManager) configured)
                .chooseEngineClientAlias(keyTypes, issuers, engine)
            : configured.chooseClientAlias(keyTypes, issuers, null));
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return configured == null ? null : configured.getClientAliases(keyType, issuers);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return configured == null ? null : configured.getCertificateChain(alias);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return configured == null ? null : configured.getPrivateKey(alias);
  }

  /** A client has no server identity. */
  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
