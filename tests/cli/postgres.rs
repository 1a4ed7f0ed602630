//! The fleet store on PostgreSQL (SPEC §15), against a real server.

use crate::pg_server::PgServer;

#[test]
fn the_test_server_answers_over_tls_and_password() {
    let Some(server) = PgServer::shared() else {
        return;
    };
    let url = server.create_database();
    let mut client = server.client(&url);
    let row = client.query_one("SELECT current_user", &[]).unwrap();
    assert_eq!(row.get::<_, String>(0), "caio");
}
