<?php

// FpmTest's way to choose which worker serves the next request: this request occupies its
// worker until the test releases it. It reports its pid (held-PID in SIGNWIRE_TEST_HOLD_DIR)
// and answers once release-PID exists there; a worker held here takes no other request.

declare(strict_types=1);

$dir = (string) getenv('SIGNWIRE_TEST_HOLD_DIR');
$pid = getmypid();
touch("$dir/held-$pid");
$deadline = microtime(true) + 30;
while (!file_exists("$dir/release-$pid")) {
    if (microtime(true) > $deadline) {
        http_response_code(504);
        exit("never released\n");
    }
    usleep(5_000);
}
unlink("$dir/held-$pid");
header('X-Worker: ' . $pid);
echo "released $pid\n";
