package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Agent;
import io.countersign.identity.CredentialStore;
import io.countersign.identity.StoredCredential;
import io.countersign.proxy.Login;
import io.countersign.proxy.ssh.AgentPublicKeys;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * The SSH gateway's public-key login. An agent's SSH public key is held on its API key's
 * credential as the label {@value #LABEL} ({@code agents create NAME --ssh-key FILE}, or the
 * admin API's {@code sshPublicKey}): created, audited and revoked with that key in one
 * transaction on either store, with no schema of its own. A key revoked or expired stops the
 * SSH login as it stops the API key.
 */
public final class AgentSshKeys implements AgentPublicKeys {
    public static final String LABEL = "ssh.publicKey";

    private final CredentialStore credentials;
    private final Clock clock;

    public AgentSshKeys(CredentialStore credentials, Clock clock) {
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public Login authenticate(String agentName, PublicKey key) {
        for (StoredCredential credential : credentials.list()) {
            if (credential.principal() instanceof Agent agent
                    && agent.name().equals(agentName)
                    && credential.unusableAt(clock.instant()).isEmpty()
                    && Optional.ofNullable(agent.labels().get(LABEL))
                            .flatMap(AgentSshKeys::parse)
                            .filter(registered -> KeyUtils.compareKeys(registered, key))
                            .isPresent()) {
                return new Login.Admitted(agent, credential.scopes());
            }
        }
        return new Login.Refused("this SSH public key is not registered to a usable key of agent " + agentName);
    }

    /**
     * {@code type base64} of an OpenSSH public key line (the comment and options dropped), as the
     * label keeps it; refuses text that is not one public key.
     */
    public static String normalize(String line) {
        String text = line.strip();
        if (text.isEmpty() || text.contains("\n")) {
            throw new IllegalArgumentException(
                    "the SSH public key must be one line like 'ecdsa-sha2-nistp256 AAAA… comment'");
        }
        if (parse(text).isEmpty()) {
            throw new IllegalArgumentException("the SSH public key could not be read (want an OpenSSH .pub line)");
        }
        String[] parts = text.split("\\s+");
        return parts[0] + " " + parts[1];
    }

    /** Adds the normalized key to {@code labels} under {@link #LABEL}. */
    public static void addTo(Map<String, String> labels, String publicKeyLine) {
        labels.put(LABEL, normalize(publicKeyLine));
    }

    private static Optional<PublicKey> parse(String line) {
        try {
            AuthorizedKeyEntry entry = AuthorizedKeyEntry.parseAuthorizedKeyEntry(line);
            return entry == null
                    ? Optional.empty()
                    : Optional.ofNullable(entry.resolvePublicKey(null, PublicKeyEntryResolver.FAILING));
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
