<?php

declare(strict_types=1);

namespace Signwire\Tests;

/**
 * A server process started for one test class, in its own session so that stopping it also
 * stops its workers.
 */
final class ServerProcess
{
    /** @var resource */
    private $proc;
    private int $pid;

    /**
     * @param list<string> $cmd
     * @param array<string,string> $env
     */
    public function __construct(array $cmd, array $env, public readonly int $port, public readonly string $logFile)
    {
        $this->proc = proc_open(array_merge(['setsid'], $cmd), [0 => ['file', '/dev/null', 'r'], 1 => ['file', $logFile, 'a'], 2 => ['file', $logFile, 'a']], $pipes, null, $env + getenv());
        if (!is_resource($this->proc)) {
            throw new \RuntimeException('cannot start ' . implode(' ', $cmd));
        }
        $this->pid = proc_get_status($this->proc)['pid'];
        register_shutdown_function([$this, 'stop']);
        try {
            Support::waitForPort($port, 15, fn () => proc_get_status($this->proc)['running']);
        } catch (\RuntimeException $e) {
            $this->stop();
            throw new \RuntimeException($e->getMessage() . ":\n" . @file_get_contents($logFile));
        }
    }

    public function stop(): void
    {
        if (isset($this->proc) && is_resource($this->proc)) {
            @posix_kill(-$this->pid, SIGTERM);
            $deadline = microtime(true) + 5;
            while (proc_get_status($this->proc)['running'] && microtime(true) < $deadline) {
                usleep(20_000);
            }
            @posix_kill(-$this->pid, SIGKILL);
            proc_close($this->proc);
        }
    }

    public function log(): string
    {
        return (string) @file_get_contents($this->logFile);
    }
}
