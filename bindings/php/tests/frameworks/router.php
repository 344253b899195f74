<?php

// One `php -S` router (FrameworksTest starts it with several workers) serving the glue in
// four real stacks. Each stack has a protected route and an open one:
//   /psr15/pay   PSR-15 pipeline: Psr15Middleware (exempt /psr15/healthz) -> handler
//   /laravel/pay Laravel's Router with the VerifySignature route middleware
//   /symfony/pay Symfony Request::createFromGlobals() + RequestVerifier
//   /flaky/pay   verified like /symfony/pay, then 503 for the first two verified attempts
// Refusals go to a PSR-3 logger writing JSON lines to SIGNWIRE_TEST_LOG.

declare(strict_types=1);

require dirname(__DIR__, 2) . '/autoload.php';
require dirname(__DIR__) . '/support/frameworks.php';

use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\ServerRequestInterface;
use Psr\Http\Server\RequestHandlerInterface;

final class JsonLinesLogger extends Psr\Log\AbstractLogger
{
    public function __construct(private string $file)
    {
    }

    public function log($level, $message, array $context = []): void
    {
        unset($context['exception']);
        file_put_contents($this->file, json_encode(['level' => $level, 'message' => (string) $message, 'context' => $context]) . "\n", FILE_APPEND | LOCK_EX);
    }
}

final class Echoes implements RequestHandlerInterface
{
    public function __construct(private Nyholm\Psr7\Factory\Psr17Factory $factory)
    {
    }

    public function handle(ServerRequestInterface $request): ResponseInterface
    {
        $body = (string) $request->getBody();
        $response = $this->factory->createResponse(200)->withHeader('Content-Type', 'application/json');
        $response->getBody()->write(json_encode(['key_id' => $request->getAttribute('signwire.key_id'), 'sha256' => hash('sha256', $body), 'path' => $request->getUri()->getPath()]));
        return $response;
    }
}

$verifier = new Signwire\Verifier('hopnow', keys: [getenv('SIGNWIRE_TEST_KEY_ID') => getenv('SIGNWIRE_TEST_SECRET')],
    nonceStore: getenv('SIGNWIRE_TEST_NONCE_STORE'));
$logger = new JsonLinesLogger((string) getenv('SIGNWIRE_TEST_LOG'));
$path = (string) parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$stack = explode('/', $path)[1] ?? '';

if ($stack === 'psr15') {
    $factory = new Nyholm\Psr7\Factory\Psr17Factory();
    $middleware = new Signwire\Psr15Middleware($verifier, $factory, log: $logger, exempt: ['/psr15/healthz']);
    $response = $middleware->process(GuzzleHttp\Psr7\ServerRequest::fromGlobals(), new Echoes($factory));
    http_response_code($response->getStatusCode());
    foreach ($response->getHeaders() as $name => $values) {
        foreach ($values as $value) {
            header("$name: $value", false);
        }
    }
    echo $response->getBody();
    return true;
}

if ($stack === 'laravel') {
    $container = new Illuminate\Container\Container();
    Illuminate\Container\Container::setInstance($container);
    $container->instance(Signwire\Laravel\VerifySignature::class, new Signwire\Laravel\VerifySignature($verifier, log: $logger));
    $router = new Illuminate\Routing\Router(new Illuminate\Events\Dispatcher($container), $container);
    $request = Illuminate\Http\Request::capture();
    $container->instance(Illuminate\Http\Request::class, $request);
    $router->post('/laravel/pay', static fn (Illuminate\Http\Request $r) => new Illuminate\Http\JsonResponse([
        'key_id' => $r->attributes->get('signwire.key_id'), 'sha256' => hash('sha256', $r->getContent()), 'json' => $r->json()->all(),
    ]))->middleware(Signwire\Laravel\VerifySignature::class);
    $router->get('/laravel/healthz', static fn () => new Illuminate\Http\Response('ok'));
    $router->dispatch($request)->send();
    return true;
}

if ($stack === 'symfony' || $stack === 'flaky') {
    $request = Symfony\Component\HttpFoundation\Request::createFromGlobals();
    if ($path === '/symfony/healthz') {
        (new Symfony\Component\HttpFoundation\Response('ok'))->send();
        return true;
    }
    $guard = new Signwire\Symfony\RequestVerifier($verifier, log: $logger);
    $response = $guard->check($request);
    if ($response === null && $stack === 'flaky') {
        $counter = getenv('SIGNWIRE_TEST_COUNTER');
        $fh = fopen($counter, 'c+');
        flock($fh, LOCK_EX);
        $n = (int) stream_get_contents($fh) + 1;
        ftruncate($fh, 0);
        rewind($fh);
        fwrite($fh, (string) $n);
        flock($fh, LOCK_UN);
        fclose($fh);
        if ($n <= 2) {
            $response = new Symfony\Component\HttpFoundation\Response('busy', 503);
        }
    }
    $response ??= new Symfony\Component\HttpFoundation\JsonResponse([
        'key_id' => $request->attributes->get('signwire.key_id'), 'sha256' => hash('sha256', $request->getContent()),
    ]);
    $response->send();
    return true;
}

http_response_code(404);
return true;
