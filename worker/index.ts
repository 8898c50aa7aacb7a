// Placeholder until the Worker lands.
export default {
  async fetch(): Promise<Response> {
    return new Response(JSON.stringify({ error: { code: 'not_found', message: 'Not found' } }), {
      status: 404,
      headers: { 'content-type': 'application/json' },
    });
  },
} satisfies ExportedHandler;
