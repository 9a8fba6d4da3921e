// The native addon is loaded by Node at run time, never bundled.
export default { serverExternalPackages: ['stripe-handshake'], turbopack: { root: import.meta.dirname } }
