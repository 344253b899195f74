<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_WEAK_KEY`: A secret or key is too short or otherwise refused. */
final class WeakKeyException extends UsageException
{
}
