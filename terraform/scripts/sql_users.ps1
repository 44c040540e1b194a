# Creates the database users of the playground's identities in the orders database, run by
# Terraform as an Azure PowerShell deployment script signed in as the SQL server's Entra admin
# (a user-assigned identity of the deployment). Idempotent: a user or role membership that
# exists is left alone, so a second run changes nothing.
#
# Environment: SQL_SERVER, SQL_DATABASE, ADMIN_CLIENT_ID, and SQL_USERS, a JSON list of
# {"name": ..., "sid": <guid>, "roles": [...]}. The SID of a managed identity or application is
# its client (application) id, that of a user their object id: CREATE USER ... WITH SID needs
# no directory lookup, so the server needs no Directory Readers role.
$ErrorActionPreference = 'Stop'

if (-not (Get-AzContext)) { Connect-AzAccount -Identity -AccountId $env:ADMIN_CLIENT_ID | Out-Null }
$token = (Get-AzAccessToken -ResourceUrl 'https://database.windows.net/').Token
if ($token -is [System.Security.SecureString]) {
    # Az.Accounts 5 (Az 14) returns a SecureString.
    $token = [System.Net.NetworkCredential]::new('', $token).Password
}

$users = $env:SQL_USERS | ConvertFrom-Json
$connection = New-Object System.Data.SqlClient.SqlConnection(
    "Server=tcp:$($env:SQL_SERVER),1433;Initial Catalog=$($env:SQL_DATABASE);Encrypt=True;TrustServerCertificate=False;Connection Timeout=60")
$connection.AccessToken = $token

# The serverless database may be paused (resuming takes about a minute) and a new Entra admin
# may take a moment to be honoured: retry the connection for up to 10 minutes.
for ($attempt = 1; ; $attempt++) {
    try { $connection.Open(); break }
    catch {
        if ($attempt -ge 20) { throw }
        Write-Output "connecting to $($env:SQL_SERVER)/$($env:SQL_DATABASE) failed (attempt $attempt of 20, retrying in 30 s): $($_.Exception.Message)"
        Start-Sleep -Seconds 30
    }
}

$sql = @'
IF DATABASE_PRINCIPAL_ID(@name) IS NULL
BEGIN
    DECLARE @create nvarchar(max) = N'CREATE USER ' + QUOTENAME(@name) + N' WITH SID = '
        + CONVERT(nvarchar(34), CONVERT(varbinary(16), CAST(@sid AS uniqueidentifier)), 1) + N', TYPE = E';
    EXEC (@create);
END
IF IS_ROLEMEMBER(@role, @name) = 0
BEGIN
    DECLARE @grant nvarchar(max) = N'ALTER ROLE ' + QUOTENAME(@role) + N' ADD MEMBER ' + QUOTENAME(@name);
    EXEC (@grant);
END
'@

$created = @()
foreach ($user in $users) {
    foreach ($role in $user.roles) {
        $command = $connection.CreateCommand()
        $command.CommandText = $sql
        [void]$command.Parameters.AddWithValue('@name', [string]$user.name)
        [void]$command.Parameters.AddWithValue('@sid', [string]$user.sid)
        [void]$command.Parameters.AddWithValue('@role', [string]$role)
        [void]$command.ExecuteNonQuery()
    }
    Write-Output "database user $($user.name): $($user.roles -join ', ')"
    $created += $user.name
}
$connection.Close()

$DeploymentScriptOutputs = @{ users = $created }
