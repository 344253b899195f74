<?php

// The same endpoint behind a TLS terminator: clients sign https://api.example.com/..., PHP sees
// http://127.0.0.1:PORT/...; the public origin reconciles the two.

declare(strict_types=1);

$publicOrigin = 'https://api.example.com';
require __DIR__ . '/verify-globals.php';
