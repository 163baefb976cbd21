/**
 * The tables as Kysely sees them. The same columns exist on SQLite and PostgreSQL:
 * times are epoch milliseconds (bigint), booleans are 0/1 integers and structured values are
 * JSON text, so every query runs unchanged on both engines.
 */
import type { Generated } from 'kysely';

export interface ApiKeyTable {
  id: string;
  name: string;
  /** The first characters of the key, shown in lists so an operator can tell keys apart. */
  prefix: string;
  /** SHA-256 of the key, hex; the key itself is never stored. */
  key_hash: string;
  /** JSON array of scopes. */
  scopes: string;
  rate_limit_per_minute: number | null;
  rate_limit_burst: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface UserTable {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  external_customer_id: string | null;
  role: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface CourseTable {
  id: string;
  title: string;
  slug: string;
  description: string;
  status: string;
  grants_certificate: number;
  certificate_validity_days: number | null;
  published_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface EnrollmentTable {
  id: string;
  user_id: string;
  course_id: string;
  status: string;
  progress: number;
  enrolled_at: number;
  completed_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface CertificationTable {
  id: string;
  user_id: string;
  course_id: string;
  enrollment_id: string;
  issued_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  revocation_reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface SubscriptionTable {
  id: string;
  user_id: string;
  plan: string;
  status: string;
  canceled_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface EventTable {
  /** Commit order: on PostgreSQL events are numbered under a lock held until commit. */
  seq: Generated<number>;
  id: string;
  type: string;
  /** JSON object: the event's `data`. */
  data: string;
  created_at: number;
}

export interface WebhookEndpointTable {
  id: string;
  url: string;
  /** JSON array of event types, or `["*"]`. */
  event_types: string;
  description: string;
  enabled: number;
  disabled_reason: string | null;
  disabled_at: number | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  /** When the current run of failures began; null after a success. */
  failing_since: number | null;
  created_at: number;
  updated_at: number;
}

export interface DeliveryTable {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: string;
  attempt_count: number;
  next_attempt_at: number | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  last_attempt_at: number | null;
  /**
   * When the current retry window began: the delivery's creation, or its latest resend or
   * recovery. The retry schedule and its 24-hour deadline count from here.
   */
  retry_origin_at: number;
  /** attempt_count when the current retry window began. */
  retry_attempt_base: number;
  created_at: number;
  updated_at: number;
}

export interface DeliveryAttemptTable {
  id: string;
  delivery_id: string;
  attempted_at: number;
  duration_ms: number;
  status_code: number | null;
  error_kind: string | null;
  /** JSON object of the headers sent (signatures included, secrets never). */
  request_headers: string;
  /** JSON object of the response headers. */
  response_headers: string;
  response_body: string;
}

export interface IdempotencyKeyTable {
  api_key_id: string;
  idempotency_key: string;
  /** SHA-256 of method, path and body: the same key with another request is refused. */
  request_hash: string;
  /** `in_progress` while the first request runs, then `completed`. */
  state: string;
  response_status: number | null;
  response_type: string | null;
  response_body: string | null;
  created_at: number;
  expires_at: number;
}

export interface Schema {
  api_keys: ApiKeyTable;
  users: UserTable;
  courses: CourseTable;
  enrollments: EnrollmentTable;
  certifications: CertificationTable;
  subscriptions: SubscriptionTable;
  events: EventTable;
  webhook_endpoints: WebhookEndpointTable;
  deliveries: DeliveryTable;
  delivery_attempts: DeliveryAttemptTable;
  idempotency_keys: IdempotencyKeyTable;
}
