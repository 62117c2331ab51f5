package io.countersign.proxy.ssh;

import io.countersign.action.Action;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** What an SSH channel request is as an action: {@code ssh.exec}, {@code ssh.shell}, {@code ssh.sftp} on {@code ssh/<name>}. */
final class SshActions {
    static final String EXEC = "ssh.exec";
    static final String SHELL = "ssh.shell";
    static final String SFTP = "ssh.sftp";
    static final String FORWARD = "ssh.forward";

    private SshActions() {}

    /** {@code argv} as a POSIX shell would split {@code command}; the caller refuses a command it can't split. */
    static Action exec(String gateway, String command, List<String> argv) {
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("command", command);
        ArrayNode words = params.putArray("argv");
        argv.forEach(words::add);
        return new Action(EXEC, resource(gateway), params, "command through SSH gateway " + gateway, Optional.empty());
    }

    static Action shell(String gateway, Optional<String> term) {
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        term.ifPresentOrElse(t -> params.put("term", t), () -> params.putNull("term"));
        return new Action(
                SHELL, resource(gateway), params, "interactive shell through SSH gateway " + gateway, Optional.empty());
    }

    static Action sftp(String gateway) {
        return new Action(
                SFTP,
                resource(gateway),
                JsonNodeFactory.instance.objectNode(),
                "SFTP session through SSH gateway " + gateway,
                Optional.empty());
    }

    static String resource(String gateway) {
        return "ssh/" + gateway;
    }
}
