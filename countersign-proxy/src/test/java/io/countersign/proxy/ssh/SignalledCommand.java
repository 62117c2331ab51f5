package io.countersign.proxy.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * The test upstream's exec: {@code /bin/sh -c command} with its streams pumped, that ends the
 * process on a {@code signal} request as OpenSSH's sshd (7.9+) does, and when its channel closes.
 */
final class SignalledCommand implements Command {
    private final String command;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private volatile Process process;

    SignalledCommand(String command) {
        this.command = command;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        Process started = new ProcessBuilder("/bin/sh", "-c", command).start();
        process = started;
        env.addSignalListener((ch, signal) -> started.destroy());
        Thread.ofVirtual().start(() -> pump(in, started.getOutputStream(), true));
        Thread errors = Thread.ofVirtual().start(() -> pump(started.getErrorStream(), err, false));
        Thread.ofVirtual().start(() -> {
            pump(started.getInputStream(), out, false);
            try {
                errors.join();
                exit.onExit(started.waitFor());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static void pump(InputStream from, OutputStream to, boolean closeAfter) {
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = from.read(buffer)) >= 0) {
                to.write(buffer, 0, n);
                to.flush();
            }
            if (closeAfter) {
                to.close();
            }
        } catch (IOException e) {
            // the channel or the process went away
        }
    }

    @Override
    public void destroy(ChannelSession channel) {
        Process running = process;
        if (running != null) {
            running.destroy();
        }
    }
}
